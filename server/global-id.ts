import { encodeGlobalID } from '@pothos/plugin-relay';

/**
 * The API's object IDs (Relay global IDs, Pothos's codec), in one place below the schema so the
 * webhooks' payloads name objects exactly as `node(id:)` expects them.
 */
export const globalId = encodeGlobalID;
