/** Frontend/backend processes that exchange MessageObject frames over Chronicle Queue. */
package ipc.core;
