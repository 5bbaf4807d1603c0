import { definePrivacySchema } from '../../framework';
import { audit } from '../privacy';
import { builder } from './builder';

// The catalog holds nothing about an account but the audit entries of its admins.
definePrivacySchema(builder, 'catalog', { audit, db: (ctx) => ctx.db, exportData: async () => ({}) });
