import { definePrivacySchema } from '../../framework';
import { audit, exportOffers } from '../privacy';
import { builder } from './builder';

definePrivacySchema(builder, 'offers', { audit, db: (ctx) => ctx.db, exportData: exportOffers });
