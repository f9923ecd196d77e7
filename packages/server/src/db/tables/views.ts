import { integer, json, text, type TableOf } from './columns.js';

/** Saved views of lists (ADR 0034; see columns.ts for the conventions). */
export const viewsTables = {
  saved_view: {
    id: text(),
    /** ViewList ('devices'). */
    list: text(),
    name: text(),
    owner: text(),
    /** 0/1: visible to every user. */
    shared: integer(),
    /** JSON ViewState. */
    state: json(),
    created_at: text(),
    updated_at: text(),
  },
  saved_view_default: {
    user_name: text(),
    list: text(),
    view_id: text(),
  },
} as const;

export interface ViewsTables {
  saved_view: SavedViewTable;
  saved_view_default: SavedViewDefaultTable;
}
export type SavedViewTable = TableOf<typeof viewsTables.saved_view>;
export type SavedViewDefaultTable = TableOf<typeof viewsTables.saved_view_default>;
