export declare const MLFLOW_VERSION: string;
export declare const MLFLOW_DIR: string;
export declare const MLFLOW_BIN: string;
export declare function mlflowReady(): boolean;
export default function mlflow(ctx: {
  log: (msg: string) => void;
  run: (cmd: string, args: string[], opts?: object) => void;
}): Promise<void>;
