/**
 * Per-request options for client-node's generated APIs: an abort signal (the generated calls
 * take no timeout of their own, and a hung request must not stall a lease renewal or a
 * reconcile) and, for PATCH, the right Content-Type (the generated code would otherwise send
 * JSON Patch, kubernetes-client/javascript#2434).
 */
import { Observable, PatchStrategy, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

/** Options for one API call. */
export interface RequestSettings {
  /** Aborts the request; combine a caller's signal with a timeout via `AbortSignal.any`. */
  signal?: AbortSignal;
  /** Overrides the request's Content-Type, e.g. {@link PatchStrategy.MergePatch}. */
  contentType?: PatchStrategy;
}

/**
 * Builds `ConfigurationOptions` that apply `settings` to one request. The middleware is
 * appended, so the KubeConfig's authentication still runs.
 */
export function requestOptions(settings: RequestSettings): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre(ctx) {
      if (settings.signal !== undefined) ctx.setSignal(settings.signal);
      if (settings.contentType !== undefined) ctx.setHeaderParam('Content-Type', settings.contentType);
      return new Observable(Promise.resolve(ctx));
    },
    post(res) {
      return new Observable(Promise.resolve(res));
    },
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

export { PatchStrategy };
