import { builder } from './builder';
import './offer';
import './parents';
import './query';
import './mutation';
import './privacy';
import './subscriptions';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
