/**
 * Which declared path (`/auth/passkeys/{id}/`) a request's path names, and its parameters. Both
 * spellings answer, with and without the trailing slash; a literal segment wins over a parameter
 * (`/auth/me/` before `/auth/{user_id}/`). As with Next.js's folders, literals match the path as
 * sent (`/auth/log%69n` is no login) and parameters are decoded. Pure: no Next.js, no I/O.
 */

export interface PathMatch {
  /** The declared path, as written: the metrics' label and the key of its endpoints. */
  path: string;
  /** By the names in braces, percent-decoded. */
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

  // Paths without parameters, found by their text: every request asks, most name one of these.
  const exact = new Map(templates.filter((t) => t.segments.every((s) => "literal" in s)).map((t) => [`/${segmentsOf(t.path).join("/")}`, t.path]));

  return (pathname) => {
    const declared = exact.get(pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname);
    if (declared !== undefined) return { path: declared, params: {} };
    const parts = segmentsOfRequest(pathname);
    if (!parts) return null;
    for (const { path, segments } of templates) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const fits = segments.every((s, i) => {
        if ("literal" in s) return s.literal === parts[i];
        const value = decoded(parts[i]!);
        if (value === null) return false;
        params[s.param] = value;
        return true;
      });
      if (fits) return { path, params };
    }
    return null;
  };
}

const segmentsOf = (path: string) => path.split("/").filter(Boolean);

/** `/auth/login/` → ["auth", "login"]; null for an empty segment. */
function segmentsOfRequest(pathname: string): string[] | null {
  const trimmed = pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  if (!trimmed.startsWith("/")) return null;
  const parts = trimmed.slice(1).split("/");
  return parts.some((s) => s === "") ? null : parts;
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
