/* Placeholder until the sources layer has modules of its own. */
int src_layer_placeholder(void);
int
src_layer_placeholder(void)
{
        return 0;
}
