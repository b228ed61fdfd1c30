// The ledger's property test as a soak, for `npm run test:reliability` (and so CI): a thousand
// random histories where `npm test` runs 200. PROPERTY_RUNS and PROPERTY_SEED work as there.
process.env.PROPERTY_RUNS ??= '1000';
await import('../ledger-property.test.ts');
