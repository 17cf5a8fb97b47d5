public class IdleMain { public static void main(String[] a) throws Exception { System.out.println("IDLE-UP"); Thread.sleep(Long.parseLong(a[0])); } }
