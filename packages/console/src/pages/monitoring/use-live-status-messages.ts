import type { ListStatusMessagesQuery, StatusMessage } from '@steward/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { isSessionError } from '../../api/errors';

export type StatusFilters = Omit<ListStatusMessagesQuery, 'before' | 'after' | 'limit'>;

const PAGE = 100;
const POLL_MS = 2000;
const KEEP = 2000;

/** Newest first: ids are sequence numbers when numeric; otherwise fall back to the time. */
function newestFirst(a: StatusMessage, b: StatusMessage): number {
  const na = Number(a.id);
  const nb = Number(b.id);
  if (Number.isFinite(na) && Number.isFinite(nb)) return nb - na;
  return b.at.localeCompare(a.at) || b.id.localeCompare(a.id);
}

export interface LiveStatusMessages {
  messages: StatusMessage[];
  loading: boolean;
  error: unknown;
  /** Ids that arrived by the live tail since the last render batch, for highlighting. */
  fresh: ReadonlySet<string>;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
  lastPollAt: Date | null;
}

/**
 * The first page for the filters, then a poll every 2 s for messages after the newest one,
 * prepended as they arrive (paused while `paused`).
 */
export function useLiveStatusMessages(filters: StatusFilters, paused: boolean): LiveStatusMessages {
  const [messages, setMessages] = useState<StatusMessage[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [lastPollAt, setLastPollAt] = useState<Date | null>(null);
  const generation = useRef(0);
  const newest = useRef<string | undefined>(undefined);
  const known = useRef(new Set<string>());
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    const gen = ++generation.current;
    setLoading(true);
    setMessages([]);
    setFresh(new Set());
    setError(null);
    newest.current = undefined;
    known.current = new Set();
    api
      .listStatusMessages({ ...filters, limit: PAGE })
      .then((res) => {
        if (gen !== generation.current) return;
        const items = [...res.items].sort(newestFirst);
        setMessages(items);
        known.current = new Set(items.map((m) => m.id));
        setCursor(res.nextCursor);
        newest.current = items[0]?.id;
        setLastPollAt(new Date());
      })
      .catch((err: unknown) => {
        if (gen === generation.current) setError(err);
      })
      .finally(() => {
        if (gen === generation.current) setLoading(false);
      });
    // filterKey stands for filters: a new object with the same content must not refetch.
  }, [filterKey]);

  useEffect(() => {
    if (paused || loading) return undefined;
    const gen = generation.current;
    let busy = false;
    const timer = window.setInterval(() => {
      if (busy) return;
      busy = true;
      api
        .listStatusMessages({ ...filters, after: newest.current, limit: 500 })
        .then((res) => {
          if (gen !== generation.current) return;
          setLastPollAt(new Date());
          setError(null);
          const added = res.items.filter((m) => !known.current.has(m.id)).sort(newestFirst);
          if (added.length === 0) return;
          for (const m of added) known.current.add(m.id);
          newest.current = added[0]?.id ?? newest.current;
          setFresh(new Set(added.map((m) => m.id)));
          setMessages((prev) => [...added, ...prev].slice(0, KEEP));
        })
        .catch((err: unknown) => {
          if (gen === generation.current && !isSessionError(err)) setError(err);
        })
        .finally(() => {
          busy = false;
        });
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [paused, loading, filterKey]);

  const loadOlder = useCallback(() => {
    if (!cursor) return;
    const gen = generation.current;
    setLoadingOlder(true);
    api
      .listStatusMessages({ ...filters, before: cursor, limit: PAGE })
      .then((res) => {
        if (gen !== generation.current) return;
        const older = res.items.filter((m) => !known.current.has(m.id)).sort(newestFirst);
        for (const m of older) known.current.add(m.id);
        setMessages((prev) => [...prev, ...older]);
        setCursor(res.nextCursor);
      })
      .catch((err: unknown) => setError(err))
      .finally(() => setLoadingOlder(false));
  }, [cursor, filterKey]);

  return {
    messages,
    loading,
    error,
    fresh,
    hasOlder: cursor !== null,
    loadingOlder,
    loadOlder,
    lastPollAt,
  };
}
