export declare const KUBECONFORM_BIN: string;
export declare const KUSTOMIZE_BIN: string;
export declare const COMPOSE_SPEC_BIN: string;
export declare const DOCKERFILE_CHECK_BIN: string;
export declare const KUBERNETES_VERSION: string;
export declare const KUBERNETES_SCHEMA_LOCATION: string;
export declare function deployValidatorsReady(): boolean;
export default function deployValidators(ctx: {
  log: (msg: string) => void;
  run: (cmd: string, args: string[], opts?: object) => void;
  has: (cmd: string) => boolean;
}): Promise<void>;
