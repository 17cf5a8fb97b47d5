package io.kfr.it.control;

import io.kfr.it.support.Jcmd;
import io.kfr.it.support.Jdk;
import io.kfr.it.support.JvmRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad options given through real jcmd's JVMTI.agent_load reach the one who typed them: jcmd says
 * a non-zero return code (the JDK's code for an agent that failed to start) instead of 0, the
 * target says why in one kfr line, keeps running, and a later good load still works.
 */
class JcmdRefusalTest {
    @Test
    void badOptionsGiveJcmdAnErrorCode() throws Exception {
        for (Jdk jdk : Jdk.everyTest()) {
            try (TargetJvm target = TargetJvm.on(jdk).start()) {
                // jcmd cuts its argument at '=': the agent gets "offcpu,file" and refuses it
                String out = Jcmd.run(target.pid(), "JVMTI.agent_load", JvmRun.AGENT_JAR.toString(), "offcpu,file=x.jfr");
                assertTrue(out.contains("return code: ") && !out.contains("return code: 0"), jdk + ": " + out);
                String err = target.stderr();
                assertEquals(1, err.lines().filter(l -> l.startsWith("kfr: option file needs a value")).count(), target.describe());
                assertFalse(err.contains("\tat io.kfr"), "no stack trace of kfr's: " + err);
                Thread.sleep(300);
                assertTrue(target.process.isAlive(), "the JVM runs on: " + target.describe());

                String good = Jcmd.run(target.pid(), "JVMTI.agent_load", JvmRun.AGENT_JAR.toString(), "offcpu");
                assertTrue(good.contains("return code: 0"), jdk + ": " + good);
                String again = Jcmd.run(target.pid(), "JVMTI.agent_load", JvmRun.AGENT_JAR.toString(), "offcpu");
                assertTrue(!again.contains("return code: 0"), "a second recording is refused: " + again);
            }
        }
    }
}
