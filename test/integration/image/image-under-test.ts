/** Moved to hack/image/image-under-test.ts (the local environment runs the image the same way); this path stays for tests. */
export * from '../../../hack/image/image-under-test.ts';
