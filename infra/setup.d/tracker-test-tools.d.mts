export declare const TRACKER_TEST_TOOLS_REQUIREMENTS: string[];
export declare const TRACKER_TEST_TOOLS_DIR: string;
export declare const TRACKER_TEST_TOOLS_PYTHON: string;
export declare const MLFLOW_BIN: string;
export declare function trackerTestToolsReady(): boolean;
export default function trackerTestTools(ctx: {
  log: (msg: string) => void;
  run: (cmd: string, args: string[], opts?: object) => void;
}): Promise<void>;
