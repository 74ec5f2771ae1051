/* Placeholder until the resources layer has modules of its own. */
int res_layer_placeholder(void);
int
res_layer_placeholder(void)
{
        return 0;
}
