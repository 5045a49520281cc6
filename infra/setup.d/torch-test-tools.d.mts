export declare const TORCH_TEST_TOOLS_REQUIREMENTS: string[];
export declare const TORCH_TEST_TOOLS_DIR: string;
export declare const TORCH_TEST_TOOLS_PYTHON: string;
export declare function torchTestToolsReady(): boolean;
export declare function installTorchTestTools(ctx: {
  log: (msg: string) => void;
  run: (cmd: string, args: string[], opts?: object) => void;
}): void;
export default function torchTestTools(ctx: {
  log: (msg: string) => void;
  run: (cmd: string, args: string[], opts?: object) => void;
}): Promise<void>;
