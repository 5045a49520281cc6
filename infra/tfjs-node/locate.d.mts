export declare const TFJS_NODE_VERSION: string;
export declare const TENSORFLOW_CPU: {
  version: string;
  wheel: string;
  sha256: string;
  pythonVersion: string;
  platforms: string[];
};
export declare const TFJS_NODE_PREFIX: string;
export declare const TFJS_NODE_PACKAGE_DIR: string;
export declare const TFJS_NODE_STAMP: string;
export declare const TFJS_NODE_FAILED: string;
export declare const TFJS_NODE_BUILD_LOG: string;
export declare const TFJS_NODE_CACHE_DIR: string;
export declare const TFJS_NODE_BUILD_KEY: string;
export declare const TFJS_NODE_BINDING: string;
export type TfjsNodeState = 'built' | 'failed' | 'absent' | 'unsupported' | 'off';
export declare function tfjsNodeSupported(): boolean;
export declare function tfjsNodeStatus(): { state: TfjsNodeState; packageDir: string; reason?: string };
export declare function tfjsNodeEntry(): string | undefined;
/** Loads the native build into the process's one tfjs-core (registers backend `tensorflow`); throws when unusable. */
export declare function loadTfjsNode(): Promise<unknown>;
