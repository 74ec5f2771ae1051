/* Placeholder until the executors layer has modules of its own. */
int exe_layer_placeholder(void);
int
exe_layer_placeholder(void)
{
        return 0;
}
