import * as path from "path";

/** The repository's root: the one place tools and tests derive project paths from. */
export const root = path.join(__dirname, "..", "..");
