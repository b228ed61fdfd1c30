import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './errors.ts';
import './team.ts';
import './catalog.ts';
import './client.ts';
import './package.ts';
import './session.ts';
import './dashboard.ts';
import './event.ts';
import './notification.ts';
import './access.ts';
import './webhook.ts';

export const schema = lexicographicSortSchema(builder.toSchema());
