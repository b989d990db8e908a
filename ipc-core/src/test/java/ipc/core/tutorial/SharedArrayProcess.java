package ipc.core.tutorial;

import ipc.core.MessageProcess;
import ipc.core.SharedMemory;

import java.lang.foreign.MemorySegment;

/**
 * The tutorials' pattern for a shared array made in the frontend (shm1, main1): the subclass
 * creates the SharedMemory {@code shmemName} in its constructor; the backend opens it by name in
 * preRun__, works on {@link #arrayBack}, and closes it in postRun__.
 */
abstract class SharedArrayProcess extends MessageProcess {
    protected final String shmemName;
    private transient SharedMemory shmemBack;     // backend side, opened in preRun__
    protected transient MemorySegment arrayBack;

    SharedArrayProcess(String name, String shmemName) {
        super(name);
        this.shmemName = shmemName;
    }

    @Override
    protected void preRun__() {
        logger.info("preRun__ : ");
        shmemBack = SharedMemory.open(shmemName);
        arrayBack = shmemBack.segment();
    }

    @Override
    protected void postRun__() {
        logger.info("postRun__ : ");
        shmemBack.close();
    }
}
