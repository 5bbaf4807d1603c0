import { builder } from './builder';
import './review';
import './model';
import './user';
import './query';
import './mutation';
import './privacy';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
