export declare const ROOT: string;
export declare const STATE_DIR: string;
export declare const CACHE_DIR: string;
export declare const VENV_DIR: string;
export declare const TEMPORAL_BIN: string;
export declare const TOOLS_DIR: string;
export declare const RUN_DIR: string;
export declare const MINIO_BIN: string;
