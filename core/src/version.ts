/** This Lockstep's version (kept equal to package.json's by a unit test). */
export const LOCKSTEP_VERSION = '0.1.0';
