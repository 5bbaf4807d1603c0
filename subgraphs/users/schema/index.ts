import { builder } from './builder';
import './types';
import './query';
import './mutation';
import './privacy';
import './erasure';

export const schema = builder.toSubGraphSchema({ linkUrl: 'https://specs.apollo.dev/federation/v2.6' });
