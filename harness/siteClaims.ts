/**
 * The reproduction-claims rows for the site. Placeholder until src/report/reproduction.ts (the
 * lead's claims table, the rows of results/REPRODUCTION.md) lands; then this calls it.
 */
export async function siteClaims(_dir: string): Promise<unknown | null> {
  return null;
}
