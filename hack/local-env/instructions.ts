/**
 * What the local environment prints once it is up: exactly how to use it, as commands to paste
 * (`export KUBECONFIG=...`, `kubectl apply -f ...`), what runs where, and how it ends. Pure, so
 * the integration test can rely on the lines it parses (`export KUBECONFIG=`, `kubectl apply -f`).
 */
export interface InstructionFacts {
  readonly kubeconfigPath: string;
  readonly binDir: string;
  readonly server: string;
  readonly controller: string;
  readonly sshAddress: string;
  readonly tlsAddress: string;
  readonly serverName: string;
  readonly caPath: string;
  readonly namespace: string;
  /** Rendered example paths, the first one being the one to try first. */
  readonly examples: readonly string[];
  readonly policyPath: string;
  readonly stateDir: string;
}

/** The text printed to stdout; every command line is indented by four spaces. */
export function instructions(f: InstructionFacts): string {
  const [first, ...more] = f.examples;
  return [
    '',
    'cert-deployer is running locally:',
    `  control plane  ${f.server} (etcd + kube-apiserver, the CRDs installed)`,
    `  controller     ${f.controller}, installed by the chart (charts/cert-deployer)`,
    `  target         nginx serving https://${f.tlsAddress} (SNI ${f.serverName}), reached over SSH at ${f.sshAddress} with a pinned host key`,
    `  policy         DeploymentPolicy shop (${f.policyPath}) grants namespace ${f.namespace} exactly that host; every other namespace is denied by default`,
    '',
    'Use it from another shell:',
    `    export KUBECONFIG=${f.kubeconfigPath}`,
    `    export PATH=${f.binDir}:$PATH`,
    `    kubectl apply -f ${first}`,
    `    kubectl get certdeploy -n ${f.namespace} -o wide --watch`,
    `    openssl s_client -connect ${f.tlsAddress} -servername ${f.serverName} -CAfile ${f.caPath} </dev/null | openssl x509 -noout -subject -enddate`,
    ...more.map((p) => `    kubectl apply -f ${p}`),
    '',
    `Edit those files or write your own (Secret shop-web-tls and SSH key edge-ssh exist in namespace ${f.namespace});`,
    `renew by replacing Secret shop-web-tls, and watch the controller redeploy it.`,
    `State lives in ${f.stateDir}. Press Ctrl-C to stop everything and remove it.`,
    '',
  ].join('\n');
}
