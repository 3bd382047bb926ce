/* framework/main.c: leakcheck's entry point. */
#include "framework/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
