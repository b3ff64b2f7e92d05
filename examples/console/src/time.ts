// Times as people read and pick them: envgate speaks UTC (RFC 3339); the screens show
// and take the user's own time zone.

/** The browser's time zone, named (e.g. `Europe/Berlin`). */
export const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

const FORMAT = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** An instant from envgate, in the user's time zone. */
export function when(instant: string): string {
  return FORMAT.format(new Date(instant));
}

/** A `datetime-local` input's value (wall-clock time in the user's zone) as the UTC
 *  instant envgate stores; null when the input holds no valid time. */
export function localToUtc(value: string): string | null {
  if (!value) return null;
  const date = new Date(value); // no offset: read as local time, per ECMAScript
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An instant as a `datetime-local` value in the user's zone, to the second. */
export function utcToLocal(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
