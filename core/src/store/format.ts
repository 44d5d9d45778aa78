/** The storage format this Lockstep writes and reads. Bump it with a migration for older stores. */
export const STORE_FORMAT = 1;
