import { defineConnection, definePageInfo } from '../../kit';
import { builder } from './builder';
import { Review } from './refs';

export const PageInfo = definePageInfo(builder);
export const ReviewConnection = defineConnection(builder, 'Review', Review, PageInfo);
