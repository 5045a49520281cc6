export declare const MIN_NODE_MAJOR: number;
export declare const PINNED_NODE_VERSION: string;
export declare const PINNED_NODE_DIR: string;
export declare const PINNED_NODE_BIN: string;
export declare function isSupportedNode(version?: string): boolean;
export declare function installPinnedNode(opts?: { log?: (msg: string) => void }): string;
export declare function runAndExit(node: string, args: string[]): void;
export declare function relaunchOnSupportedNode(opts?: { log?: (msg: string) => void }): boolean;
