// PostgreSQL connection URLs: which store strings name a server, and the same URL with its
// password masked for every message, log line and record (DESIGN.md §6, issue 14's credentials).

/** A store string that names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/** The URL with its password (if any) replaced by `***`; unparsable input comes back masked as a whole after the scheme. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    // Not a URL the WHATWG parser takes: mask user:password@ by hand.
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
  }
}

/** Masks every occurrence of the URL's password in a text (a driver message may quote the URL). */
export function redactText(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password.length >= 3) out = out.split(password).join('***');
  } catch {
    // unparsable: the URL itself was replaced above
  }
  return out;
}
