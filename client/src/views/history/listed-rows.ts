/**
 * The rows History listed last, by id: a refresh replaces a row's object but keeps its id, and
 * VS Code must be handed the object it was last given (`keep-open.ts` reveals it). A parent
 * listed again forgets what it listed before, and what that listed in turn, so that runs which
 * fell off a page, or went, are not kept for the life of the window.
 */
export class ListedRows<Row extends { readonly id?: string | undefined }> {
  private readonly byId = new Map<string, Row>();
  /** The ids each parent listed last (`''`: the top level). */
  private readonly childIds = new Map<string, string[]>();

  /** Records `children` as what `parent` (undefined: the top level) lists now. */
  listed(parent: Row | undefined, children: readonly Row[]): void {
    const key = keyOf(parent);
    if (key === undefined) return; // a row without an id cannot be found again
    this.forgetBelow(key);
    const ids: string[] = [];
    for (const child of children) {
      if (child.id === undefined) continue;
      this.byId.set(child.id, child);
      ids.push(child.id);
    }
    this.childIds.set(key, ids);
  }

  /** What `parent` (undefined: the top level) listed last, in its order; none if not listed. */
  childrenOf(parent: Row | undefined): Row[] {
    const key = keyOf(parent);
    const ids = (key === undefined ? undefined : this.childIds.get(key)) ?? [];
    // An id listed under two parents is forgotten with the first one listed again.
    return ids.flatMap((id) => this.byId.get(id) ?? []);
  }

  /** The object last listed with `row`'s id, or `row` itself. */
  newest(row: Row): Row {
    return (row.id === undefined ? undefined : this.byId.get(row.id)) ?? row;
  }

  /** How many rows are remembered. */
  get size(): number {
    return this.byId.size;
  }

  private forgetBelow(key: string): void {
    const ids = this.childIds.get(key);
    if (!ids) return;
    this.childIds.delete(key);
    for (const id of ids) {
      this.byId.delete(id);
      this.forgetBelow(id);
    }
  }
}

/** Where a parent's listing is kept: `''` for the top level; none for a row without an id. */
function keyOf(parent: { readonly id?: string | undefined } | undefined): string | undefined {
  return parent === undefined ? '' : parent.id;
}
