/**
 * The error of the WASM tier itself (not of the target): the plugin trapped, ran past its time
 * limit, outgrew its memory, broke the ABI, or could not be started. A trap or an ABI breach is
 * terminal (the same code will fail the same way); a timeout or a dead worker is retryable.
 */
import { CertDeployerError, ErrorCode, hasCode } from '@cert-deployer/connector-sdk/sandbox';

export class PluginError extends CertDeployerError {
  constructor(message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(ErrorCode.Plugin, message, opts);
    this.name = 'PluginError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasCode(value, ErrorCode.Plugin);
  }
}
