import { Badge, Group, Paper, Portal, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconAlertCircle, IconCircleCheck } from '@tabler/icons-react';
import { completionsAt, inventoryClassLabel, validateQuery } from '@steward/protocol';
import type { CompletionItem, InventoryClassShape } from '@steward/protocol';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { cutPieces, highlight } from './query-highlight';
import classes from './query-editor.module.css';

interface Completions {
  from: number;
  to: number;
  items: CompletionItem[];
}

/** What accepting a completion inserts: a single-instance class gets its dot, a multi-instance one any(). */
function insertion(item: CompletionItem, text: string, from: number): string {
  if (item.kind !== 'class') return `${item.label} `;
  const before = text.slice(0, from).trimEnd();
  if (/any\s*\($/i.test(before)) return `${item.label}, `;
  return item.multiInstance ? `any(${item.label}, ` : `${item.label}.`;
}

/** A suggestion's dimmed text: a class's human label, "many" for a multi-instance one, the detail. */
function completionHint(item: CompletionItem): string {
  if (item.kind !== 'class') return item.detail;
  const parts = [inventoryClassLabel(item.label), item.multiInstance ? 'many' : '', item.detail];
  return parts.filter((p, i) => p !== '' && parts.indexOf(p) === i).join(' · ');
}

/**
 * The query editor: colours the text, underlines the error at its position as you type (the
 * same parser and checker the server runs), and offers class and property completions.
 */
export function QueryEditor(props: {
  value: string;
  onChange: (value: string) => void;
  catalog: readonly InventoryClassShape[] | undefined;
  testId?: string;
  placeholder?: string;
}) {
  const { value, onChange, catalog } = props;
  const area = useRef<HTMLTextAreaElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const caretMark = useRef<HTMLSpanElement>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [completions, setCompletions] = useState<Completions | null>(null);
  const [selected, setSelected] = useState(0);
  const [caretPos, setCaretPos] = useState({ left: 0, top: 0 });
  // Where the editor is on the screen: the suggestions render in a portal (fixed, above every
  // card) so no card's overflow clips them, and follow the editor when the page scrolls.
  const [origin, setOrigin] = useState({ left: 0, top: 0 });
  const place = () => {
    const r = wrapper.current?.getBoundingClientRect();
    if (r) setOrigin({ left: r.left, top: r.top });
  };

  const result = useMemo(
    () => (catalog && value.trim() ? validateQuery(value, catalog) : null),
    [value, catalog],
  );
  const error = result && !result.ok ? result.error : null;

  const refresh = (text: string, at: number | null, force = false) => {
    setCursor(at);
    if (at === null || !catalog) {
      setCompletions(null);
      return;
    }
    const found = completionsAt(text, at, catalog);
    const typed = at > found.from;
    const trigger = /[.(,]\s*$/.test(text.slice(0, at));
    if (found.items.length > 0 && (typed || trigger || force)) {
      setCompletions(found);
      setSelected(0);
    } else {
      setCompletions(null);
    }
  };

  useLayoutEffect(() => {
    if (caretMark.current)
      setCaretPos({ left: caretMark.current.offsetLeft, top: caretMark.current.offsetTop });
    place();
  }, [cursor, value, completions]);
  const open = completions !== null;
  useEffect(() => {
    if (!open) return;
    window.addEventListener('scroll', place, true);
    window.addEventListener('resize', place);
    return () => {
      window.removeEventListener('scroll', place, true);
      window.removeEventListener('resize', place);
    };
  }, [open]);

  const accept = (item: CompletionItem) => {
    if (!completions) return;
    const text = insertion(item, value, completions.from);
    const next = value.slice(0, completions.from) + text + value.slice(completions.to);
    const at = completions.from + text.length;
    onChange(next);
    requestAnimationFrame(() => {
      area.current?.setSelectionRange(at, at);
      area.current?.focus();
    });
    refresh(next, at, true);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      refresh(value, e.currentTarget.selectionStart, true);
      return;
    }
    if (!completions) return;
    const n = completions.items.length;
    if (e.key === 'ArrowDown') setSelected((s) => (s + 1) % n);
    else if (e.key === 'ArrowUp') setSelected((s) => (s - 1 + n) % n);
    else if (e.key === 'Enter' || e.key === 'Tab') {
      const item = completions.items[selected];
      if (item) accept(item);
    } else if (e.key === 'Escape') setCompletions(null);
    else return;
    e.preventDefault();
  };

  // The backdrop mirrors the text exactly; the textarea above it is transparent but for the caret.
  const errFrom = error?.position ?? -1;
  const errTo = error ? error.position + Math.max(error.length, 0) : -1;
  const pieces = cutPieces(highlight(value), [errFrom, errTo, cursor ?? -1]);
  const backdrop: ReactNode[] = [];
  let caretPlaced = false;
  for (const p of pieces) {
    if (!caretPlaced && cursor !== null && p.from >= cursor) {
      backdrop.push(<span key="caret" ref={caretMark} />);
      caretPlaced = true;
    }
    const inError = error !== null && p.from >= errFrom && p.to <= errTo && errTo > errFrom;
    backdrop.push(
      <span
        key={p.from}
        className={`${classes[p.kind] ?? ''} ${inError ? (classes.error ?? '') : ''}`}
      >
        {value.slice(p.from, p.to)}
      </span>,
    );
  }
  if (!caretPlaced) backdrop.push(<span key="caret" ref={caretMark} />);
  // A zero-length error (the query ends too early) is marked just after the text.
  if (error && error.length === 0 && error.position >= value.length) {
    backdrop.push(
      <span key="eof" className={classes.error}>
        {'\u00a0\u00a0'}
      </span>,
    );
  }

  return (
    <Stack gap={4}>
      <div ref={wrapper} className={classes.wrapper} data-invalid={error !== null}>
        <div className={classes.backdrop} aria-hidden="true">
          {backdrop}
          {'\n'}
        </div>
        <textarea
          ref={area}
          className={classes.input}
          value={value}
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          placeholder={
            props.placeholder ?? 'os.family = "debian" and any(package, name = "openssh-server")'
          }
          onChange={(e) => {
            onChange(e.currentTarget.value);
            refresh(e.currentTarget.value, e.currentTarget.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onClick={(e) => refresh(value, e.currentTarget.selectionStart)}
          onBlur={() => window.setTimeout(() => setCompletions(null), 150)}
          aria-invalid={error !== null}
          data-testid={props.testId ?? 'query-editor'}
        />
        {completions && (
          <Portal>
            <Paper
              shadow="md"
              className={classes.completions}
              style={{
                left: origin.left + Math.min(caretPos.left, 420),
                top: origin.top + caretPos.top + 24,
              }}
              data-testid="query-completions"
            >
              {completions.items.slice(0, 12).map((item, i) => (
                <UnstyledButton
                  key={`${item.kind}:${item.label}`}
                  className={classes.item}
                  data-selected={i === selected}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(item);
                  }}
                  data-testid="query-completion"
                >
                  <Group gap={8} wrap="nowrap" justify="space-between">
                    <Group gap={6} wrap="nowrap">
                      <Badge
                        size="xs"
                        variant="light"
                        color={
                          item.kind === 'class'
                            ? 'indigo'
                            : item.kind === 'property'
                              ? 'teal'
                              : 'gray'
                        }
                        w={68}
                      >
                        {item.kind}
                      </Badge>
                      <Text size="sm" ff="monospace">
                        {item.label}
                      </Text>
                    </Group>
                    <Text size="xs" c="dimmed" truncate maw={220}>
                      {completionHint(item)}
                    </Text>
                  </Group>
                </UnstyledButton>
              ))}
            </Paper>
          </Portal>
        )}
      </div>
      {error ? (
        <Group gap={6} wrap="nowrap" align="flex-start" data-testid="query-error">
          <IconAlertCircle
            size={16}
            color="var(--mantine-color-red-6)"
            style={{ flexShrink: 0, marginTop: 2 }}
          />
          <Text size="sm" c="red">
            <b>{error.code === 'QUERY_TYPE' ? 'Type error' : 'Syntax error'}</b> at line{' '}
            {error.line}, column {error.column}: {error.message}
          </Text>
        </Group>
      ) : result?.ok ? (
        <Group gap={6} data-testid="query-valid">
          <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" />
          <Text size="xs" c="dimmed">
            Valid query · Ctrl+Space for suggestions
          </Text>
        </Group>
      ) : (
        <Text size="xs" c="dimmed">
          Type a class name and a dot for its properties; use any(class, …) for disks, packages,
          services. Ctrl+Space for suggestions.
        </Text>
      )}
    </Stack>
  );
}
