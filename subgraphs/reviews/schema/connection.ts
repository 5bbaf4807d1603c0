import { defineConnection, definePageInfo } from '../../framework';
import { builder } from './builder';
import { Review } from './refs';

const PageInfo = definePageInfo(builder);
export const ReviewConnection = defineConnection(builder, 'Review', Review, PageInfo);
