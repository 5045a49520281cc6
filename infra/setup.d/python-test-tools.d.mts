export declare const PYTHON_TEST_TOOLS_DIR: string;
export declare const PYTHON_TEST_TOOLS_PYTHON: string;
export declare const PYTHON_TEST_TOOLS_REQUIREMENTS: string[];
export declare function pythonTestToolsReady(): boolean;
export default function pythonTestTools(ctx: {
  log: (msg: string) => void;
  run: (cmd: string, args: string[], opts?: object) => void;
}): Promise<void>;
