export { FakeCloudBuild, type CloudBuildSnapshot, type FakeCloudBuildOptions, type FakeFault, type RecordedCall } from './server.ts';
export { BUILD_STATUS, stepArg, tagsOf, type BuildStatus, type FakeBuild, type FinalStatus } from './builds.ts';
export { FakeGcs, parseGsUri, type FakeBucket, type FakeObject } from './gcs.ts';
