/**
 * Which declared path (`/auth/passkeys/{id}/`) a request's path names, and its parameters. Both
 * spellings answer, with and without the trailing slash; a literal segment wins over a parameter
 * (`/auth/me/` before `/auth/{user_id}/`), as Next.js's folders did. Pure: no Next.js, no I/O.
 */

export interface PathMatch {
  /** The declared path, as written: the metrics' label and the key of its endpoints. */
  path: string;
  /** By the names in braces, decoded. */
  params: Record<string, string>;
}

interface Template {
  path: string;
  segments: Array<{ literal: string } | { param: string }>;
}

export function pathMatcher(paths: readonly string[]): (pathname: string) => PathMatch | null {
  const templates: Template[] = [...new Set(paths)].map((path) => ({
    path,
    segments: segmentsOf(path).map((s) => (/^\{\w+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s })),
  }));
  // Most specific first: at the first segment where two differ, the literal one.
  const rank = (t: Template) => t.segments.map((s) => ("literal" in s ? "0" : "1")).join("");
  templates.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));

  return (pathname) => {
    const parts = decodedSegments(pathname);
    if (!parts) return null;
    for (const { path, segments } of templates) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const fits = segments.every((s, i) => {
        if ("literal" in s) return s.literal === parts[i];
        params[s.param] = parts[i]!;
        return true;
      });
      if (fits) return { path, params };
    }
    return null;
  };
}

const segmentsOf = (path: string) => path.split("/").filter(Boolean);

/** `/auth/a%2Db/` → ["auth", "a-b"]; null for an empty segment or a malformed escape. */
function decodedSegments(pathname: string): string[] | null {
  const trimmed = pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  if (!trimmed.startsWith("/")) return null;
  const raw = trimmed.slice(1).split("/");
  if (raw.some((s) => s === "")) return null;
  try {
    return raw.map(decodeURIComponent);
  } catch {
    return null;
  }
}
