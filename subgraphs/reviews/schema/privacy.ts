import { definePrivacySchema } from '../../framework';
import { audit, exportReviews } from '../privacy';
import { builder } from './builder';

definePrivacySchema(builder, 'reviews', { audit, db: (ctx) => ctx.db, exportData: exportReviews });
