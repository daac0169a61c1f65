/**
 * The shared connector conformance suite against a real moto server. Opt-outs (no reload, no
 * key file, method-based mutation counting, Ed25519) are listed with their reasons in the
 * fixture and replaced by ACM-specific tests next to this file.
 */
import { runConformance } from '@cert-deployer/connector-sdk/conformance';
import { awsAcmFixture } from '../../../conformance/fixtures/aws-acm.ts';
import { acmConnector, withControllerContext } from './support.ts';

runConformance((ctx) => withControllerContext(acmConnector(ctx.endpoint, {}, ctx.region)), awsAcmFixture());
