/** JMH benchmarks, the comparison report and the demo. */
package ipc.bench;
