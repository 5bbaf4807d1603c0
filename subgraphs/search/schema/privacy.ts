import { definePrivacySchema } from '../../framework';
import { audit, exportSearchDocuments } from '../privacy';
import { builder } from './builder';

definePrivacySchema(builder, 'search', { audit, db: (ctx) => ctx.db, exportData: exportSearchDocuments });
