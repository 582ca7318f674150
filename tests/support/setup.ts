/**
 * Runs before each unit test file. Jest raises the stack trace limit to 100 frames and maps every
 * frame of every captured stack through source maps; the Pulumi SDK captures a stack for each
 * promise it creates and each resource it registers, so a program run under mocks spent most of
 * its time formatting stacks nobody reads. Node.js's own limit (10) keeps failures readable.
 */
Error.stackTraceLimit = 10;
