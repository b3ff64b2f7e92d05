// Pieces the shipping screens share: the app picker, and the status and error lines
// that follow an action.
import { useState, type ReactNode } from 'react';
import { apiError, describe } from './errors';

/** A query that failed, in words. */
export function Failure({ error }: { error: unknown }) {
  return (
    <p className="error" role="alert">
      {describe(apiError(error))}
    </p>
  );
}

/** "1 approval", "2 approvals". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** An app select; `onPick` gets the chosen app's id. */
export function AppPicker({
  id,
  apps,
  value,
  onPick,
}: {
  id: string;
  apps: { id: string; name: string }[];
  value: string;
  onPick: (appId: string) => void;
}) {
  return (
    <div className="inline">
      <label htmlFor={id}>App</label>
      <select id={id} value={value} onChange={(e) => onPick(e.target.value)}>
        {apps.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Runs an action and keeps its outcome: the sentence it returns as a status line,
 *  or its error in words as an alert. `shown` is null before the first action. */
export function useOutcome(): { run: (action: () => Promise<string>) => Promise<void>; shown: ReactNode } {
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const run = async (action: () => Promise<string>) => {
    setNotice(null);
    setProblem(null);
    try {
      setNotice(await action());
    } catch (error) {
      setProblem(describe(apiError(error)));
    }
  };
  const shown =
    notice || problem ? (
      <>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {problem && (
          <p className="alert" role="alert">
            {problem}
          </p>
        )}
      </>
    ) : null;
  return { run, shown };
}
