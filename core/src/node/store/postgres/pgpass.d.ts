/** Types for `pgpass` (the ~/.pgpass reader `pg` itself uses), which ships none. */
declare module 'pgpass' {
  interface ConnectionInfo {
    readonly host?: string | null;
    readonly port?: string | number | null;
    readonly database?: string | null;
    readonly user?: string | null;
  }
  /** Calls back with the password ~/.pgpass (or PGPASSFILE) gives this connection, if any. */
  function pgpass(
    connection: ConnectionInfo,
    callback: (password: string | undefined) => void,
  ): void;
  export default pgpass;
}
