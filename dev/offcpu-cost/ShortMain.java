/** A short JVM: main sleeps 200 ms. Prints when main began and ended (epoch microseconds). */
public final class ShortMain {
    public static void main(String[] args) throws Exception {
        long begin = micros();
        Thread.sleep(200);
        System.out.println("SHORT-MAIN " + begin + " " + micros());
    }

    private static long micros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
