/** Cross-process events on shared memory: EventGroup, SyncIndex and futex waiting through FFM. */
package ipc.sync;
