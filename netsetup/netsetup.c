/* Placeholder until the netsetup layer has modules of its own. */
int net_layer_placeholder(void);
int
net_layer_placeholder(void)
{
        return 0;
}
