// The 30th Fibonacci number, iteratively: r0 = fib(30) = 832040
    r0 = 0          // fib(i)
    r1 = 1          // fib(i + 1)
    r2 = 30         // iterations left
loop:
    if r2 == 0 goto done
    r3 = r0
    r3 += r1
    r0 = r1
    r1 = r3
    r2 += -1
    goto loop
done:
    exit
