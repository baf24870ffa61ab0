/** Flags for the packaged headless Chromium (scripts/packaged-chromium.cjs says why each). */
export declare const CHROMIUM_ARGS: readonly string[];
/** The path of the packaged Chromium binary, unpacked on first use into node_modules/.cache. */
export declare function chromiumExecutable(): Promise<string>;
