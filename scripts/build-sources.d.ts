/** The repository's root directory. */
export const ROOT: string;
/** The newest modification time of anything `npm run build` reads, in ms. */
export function newestSource(): number;
